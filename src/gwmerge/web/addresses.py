"""The addresses colleagues type to reach a shared server, found without sending anything.

The machine's own names are asked of the resolver, and a UDP socket is *connected* (which only
picks the outgoing interface; no packet leaves) to learn the address the LAN sees.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket

# Private ranges only: connect() picks the interface that routes there; nothing is sent.
_PROBES = ("10.255.255.255", "192.168.255.255", "172.31.255.255")


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses as others on the network see them, private ones first."""
    found: list[str] = []
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_STREAM):
            found.append(str(info[4][0]))
    for probe in _PROBES:
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))  # UDP connect: chooses a route, sends nothing
            found.append(str(s.getsockname()[0]))
    unique = list(dict.fromkeys(a for a in found if _usable(a)))
    return sorted(unique, key=lambda a: not ipaddress.ip_address(a).is_private)


def urls(host: str, port: int) -> list[str]:
    """What to type in a browser: the bound address, or for 0.0.0.0 / :: each LAN address."""
    if host in ("0.0.0.0", "::", ""):
        return [f"http://{a}:{port}/" for a in lan_addresses()]
    shown = f"[{host}]" if ":" in host else host
    return [f"http://{shown}:{port}/"]
