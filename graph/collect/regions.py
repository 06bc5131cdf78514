"""The regions to read in an account: those enabled for it (DescribeRegions), else the session's own."""

from __future__ import annotations

from graph.collect.calls import Reader


def enabled_regions(reader: Reader, fallback: str) -> tuple[str, ...]:
    """The account's enabled regions (opt-in regions only when opted in), sorted.

    Args:
        reader: An EC2 reader in a region that is always enabled (the session's own).
        fallback: The region to use when the list cannot be read (the failure is recorded).

    Returns:
        At least one region.
    """
    reply = reader.call("DescribeRegions", AllRegions=False)
    if not reply.ok:
        return (fallback,)
    names = sorted(region["RegionName"] for region in reply.data.get("Regions", ())
                   if region.get("OptInStatus", "opt-in-not-required") != "not-opted-in")
    return tuple(names) or (fallback,)
