"""/api/: the schema, the docs and version 1 of the REST API (docs/api.md). URL names are namespaced ``api:``."""

from django.urls import path, re_path

from exchanges.api.views import docs, portal

app_name = "api"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("v1/me/", portal.MeView.as_view(), name="me"),
    path("v1/cities/", portal.CityListView.as_view(), name="city_list"),
    path("v1/departments/", portal.DepartmentListView.as_view(), name="department_list"),
    path("v1/topics/", portal.TopicListView.as_view(), name="topic_list"),
    # Last: every other address under /api/ answers 404 as problem+json.
    re_path(r"^.*$", docs.NotFoundView.as_view(), name="not_found"),
]
