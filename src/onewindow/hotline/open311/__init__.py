"""The Open311 GeoReport v2 face of the 12345 hotline (``/open311/v2/``): what it offers
(``catalogue``), who may post (``clients``: keys, revocation, the per-minute limit), how a posted
request becomes a work order and what is told of one (``orders``), and the spec's two formats
(``render``). The views are ``views/open311.py``; the decisions are docs/adr/0022-open311.md."""
