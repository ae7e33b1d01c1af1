"""leadscribe: sales-call recordings to correct CRM records, self-hosted."""
from leadscribe.pipeline import enrich

__all__ = ["enrich"]
