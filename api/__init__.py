"""The HTTP service over the store and the matcher."""

__all__: list[str] = []
