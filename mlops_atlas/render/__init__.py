"""Render Evidence-style report pages to static HTML (and markdown copies) without Evidence."""

from mlops_atlas.render.errors import RenderError
from mlops_atlas.render.site import RenderSummary, page_context, render_site

__all__ = ["RenderError", "RenderSummary", "page_context", "render_site"]
