"""Arena: the platform for 揭榜挂帅 competitions."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout: templates/, static/ and var/ live beside src/."""
