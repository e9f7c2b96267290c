from django.urls import path

from socle.qualitative import views

app_name = "qualitative"

urlpatterns = [
    path("o/<slug:slug>/open-answers/", views.answers, name="answers"),
    path("o/<slug:slug>/open-answers/code/", views.code, name="code"),
    path("o/<slug:slug>/open-answers/themes/", views.themes, name="themes"),
    path("o/<slug:slug>/open-answers/themes/archive/", views.theme_archive, name="theme_archive"),
    path("o/<slug:slug>/open-answers/quotes/", views.quotes, name="quotes"),
    path("o/<slug:slug>/open-answers/quotes/propose/", views.propose, name="propose"),
    path("o/<slug:slug>/open-answers/quotes/decide/", views.decide, name="decide"),
]
