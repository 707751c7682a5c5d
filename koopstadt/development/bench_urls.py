"""The portal's URLs plus the benchmark baselines (only with KOOPSTADT_BENCH=1, see koopstadt.development.bench)."""

from django.urls import path

from koopstadt.development import bench
from koopstadt.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/constant/", bench.baseline_constant, name="bench_constant"),
    path("bench/rows/", bench.baseline_rows, name="bench_rows"),
    *portal_urlpatterns,
]
