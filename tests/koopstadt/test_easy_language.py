"""Leichte Sprache and German Sign Language (BITV 2.0 § 4), linked from the log-in and start pages."""

import re

import pytest
from django.urls import reverse

from tests.cities.factories import UserFactory

pytestmark = pytest.mark.django_db


def _sentences(html: str) -> list[str]:
    body = re.search(r'<div class="easy-language" lang="de">(.*?)</div>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", p).strip() for p in re.findall(r"<p>(.*?)</p>", body, re.S)]


def test_the_leichte_sprache_page_explains_the_portal_and_names_both_addresses(client, settings):
    settings.CONTACT_EMAIL = "cr-hilfe@stadt.example"
    settings.ACCESSIBILITY_EMAIL = "barrierefrei@stadt.example"

    response = client.get("/leichte-sprache/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Leichte Sprache</h1>" in html
    for heading in (
        "Was ist das Portal?",
        "So benutzen Sie das Portal",
        "So erreichen Sie uns",
        "Barriere·freiheit",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert 'href="mailto:cr-hilfe@stadt.example"' in html
    assert 'href="mailto:barrierefrei@stadt.example"' in html
    assert f'href="{reverse("sign_language")}"' in html and f'href="{reverse("accessibility")}"' in html
    sentences = _sentences(html)
    # Netzwerk Leichte Sprache: short sentences, compound words with the media point, no abbreviations.
    assert len(sentences) > 60 and max(len(s.split()) for s in sentences) <= 15
    assert {"Partner·städte", "Reise·kosten", "Pass·wort"} <= set(re.findall(r"\w+·\w+", html))
    assert not re.search(r"\b(z\. ?B\.|bzw\.|usw\.|ggf\.|d\. ?h\.)", html)
    assert "C+R bedeutet: Coaching und Reflexion." in sentences  # the one abbreviation, explained


def test_the_leichte_sprache_page_stays_german_in_the_english_interface(client):
    client.force_login(UserFactory(preferred_language="en"))
    html = client.get("/leichte-sprache/").content.decode()
    assert "This page explains the portal in German Easy Language (Leichte Sprache)." in html
    assert "Was ist das Portal?" in html


def test_without_a_video_the_sign_language_page_says_it_is_being_prepared(client, settings):
    settings.DGS_VIDEO_URL = ""
    settings.CONTACT_EMAIL = "cr-hilfe@stadt.example"

    html = client.get("/gebaerdensprache/").content.decode()

    assert "<video" not in html
    assert "Das Video in Deutscher Gebärdensprache wird gerade vorbereitet." in html
    assert "cr-hilfe@stadt.example" in html and f'href="{reverse("easy_language")}"' in html


@pytest.mark.parametrize(
    ("setting", "src"),
    [
        ("video/dgs.mp4", "/static/video/dgs.mp4"),
        ("https://video.stadt.example/dgs.mp4", "https://video.stadt.example/dgs.mp4"),
    ],
)
def test_the_operators_video_is_shown_with_its_text_alternative(client, settings, setting, src):
    settings.DGS_VIDEO_URL = setting

    html = client.get("/gebaerdensprache/").content.decode()

    video = re.search(r"<video [^>]*>", html).group(0)
    assert f'src="{src}"' in video and "controls" in video and 'aria-describedby="dgs-transcript"' in video
    assert '<p id="dgs-transcript">Das Video sagt, was die Seite in Leichter Sprache sagt:' in html
    assert f'href="{reverse("easy_language")}"' in html


def test_both_pages_are_linked_from_the_log_in_page_and_the_start_page(client):
    login = client.get(reverse("login")).content.decode()
    client.force_login(UserFactory())
    home = client.get(reverse("home")).content.decode()
    for html in (login, home):
        assert f'<a class="nav-link" href="{reverse("easy_language")}" lang="de">Leichte Sprache</a>' in html
        assert f'<a class="nav-link" href="{reverse("sign_language")}">Gebärdensprache</a>' in html


def test_the_log_in_page_shows_the_portals_and_the_networks_name_not_the_host(client, settings):
    settings.PORTAL_NAME = "Städtenetz C+R"
    settings.NETWORK_NAME = "Städtenetz"

    html = client.get(reverse("login"), HTTP_HOST="127.0.0.1").content.decode()

    assert "<title>Anmelden – Städtenetz C+R</title>" in html
    assert '<a class="site-brand" href="/">Städtenetz C+R</a>' in html
    assert "der Städtenetz-Partnerstädte" in html
    assert "127.0.0.1" not in html
