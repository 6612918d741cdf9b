"""The test app touches only the services its environment names."""

from helpers import REDIS_URL


def strings_in(value):
    """Every string inside a setting (nested dicts, lists and tuples included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from strings_in(item)


def test_the_test_app_uses_only_the_redis_database_it_is_given(app):
    redis_urls = {
        key: text
        for key, value in app.config.items()
        for text in strings_in(value)
        if text.startswith(("redis://", "rediss://", "unix://"))
    }
    assert redis_urls, "the test app names no Redis at all"
    assert {key: url for key, url in redis_urls.items() if url != REDIS_URL} == {}
