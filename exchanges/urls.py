"""The ``exchanges`` namespace: every domain package's addresses under one name (``exchanges:…``)."""

from exchanges.cycle.urls import urlpatterns as cycle_urls
from exchanges.notifications.urls import urlpatterns as notification_urls
from exchanges.statistics.urls import urlpatterns as statistics_urls
from exchanges.travel.urls import urlpatterns as travel_urls

app_name = "exchanges"

urlpatterns = [*cycle_urls, *travel_urls, *notification_urls, *statistics_urls]
