"""Statistics for organizers (统计报表): server-rendered SVG charts, each exportable to Excel."""
