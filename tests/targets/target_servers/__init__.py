"""Local servers speaking the documented protocols of the crosspost targets, on 127.0.0.1, for tests."""
