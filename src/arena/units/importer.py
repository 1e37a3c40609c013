"""Placeholder replaced by the people-import work in this session."""
