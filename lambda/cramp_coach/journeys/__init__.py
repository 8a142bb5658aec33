"""One module per user journey; each exposes small handler classes (can_handle/handle)."""
