from django.urls import path

from cities.directory import views

app_name = "cities"

urlpatterns = [
    path("", views.expert_list, name="expert_list"),
    path("<int:pk>/", views.expert_detail, name="expert_detail"),
]
