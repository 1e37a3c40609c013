"""Admin: the unit tree and people (cadres and experts), with Excel import."""

ROUTES: list[object] = []
