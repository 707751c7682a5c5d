import pytest
from django.core.exceptions import ImproperlyConfigured

from koopstadt.env import env_bool, env_int, env_list, env_required


def test_env_readers(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("NUMBER", "42")
    monkeypatch.setenv("ITEMS", "a, b,,c")
    assert env_bool("FLAG", False) is True
    assert env_bool("UNSET_FLAG", True) is True
    assert env_int("NUMBER", 1) == 42
    assert env_list("ITEMS") == ["a", "b", "c"]


def test_env_readers_refuse_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "vielleicht")
    monkeypatch.setenv("NUMBER", "viele")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG", False)
    with pytest.raises(ImproperlyConfigured):
        env_int("NUMBER", 1)
    with pytest.raises(ImproperlyConfigured):
        env_required("UNSET_SECRET", "needed")
