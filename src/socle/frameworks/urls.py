from django.urls import path

from socle.frameworks import views, views_builder, views_consultation

app_name = "frameworks"

urlpatterns = [
    path("schemas/framework.schema.json", views.schema, name="schema"),
    path("n/<slug:slug>/frameworks/", views.network_frameworks, name="network_frameworks"),
    path("o/<slug:slug>/frameworks/", views_builder.organisation_frameworks, name="organisation_frameworks"),
    path("o/<slug:slug>/frameworks/adopt/", views_builder.adopt, name="adopt"),
    path("f/<slug:slug>/", views.framework_detail, name="framework"),
    path("f/<slug:slug>/diff/", views.version_diff, name="diff"),
    path("f/<slug:slug>/drafts/", views.new_draft, name="new_draft"),
    path("f/<slug:slug>/upgrade/", views_builder.upgrade, name="upgrade"),
    path("f/<slug:slug>/v/<int:number>/", views.version_detail, name="version"),
    path("f/<slug:slug>/v/<int:number>/indicators/", views.version_indicators, name="indicators"),
    path("f/<slug:slug>/v/<int:number>/q/<slug:code>/", views.questionnaire_preview, name="questionnaire"),
    path("f/<slug:slug>/v/<int:number>/q/<slug:code>/xlsform/", views_builder.export_xlsform, name="export_xlsform"),
    path("f/<slug:slug>/v/<int:number>/export.<str:fmt>", views.version_export, name="export"),
    path("f/<slug:slug>/v/<int:number>/edit/", views.version_edit, name="edit"),
    path("f/<slug:slug>/v/<int:number>/publish/", views.version_publish, name="publish"),
    path("f/<slug:slug>/v/<int:number>/build/", views_builder.build, name="build"),
    path("f/<slug:slug>/v/<int:number>/build/remove/", views_builder.remove_element, name="remove_element"),
    path("f/<slug:slug>/v/<int:number>/import-xlsform/", views_builder.import_xlsform, name="import_xlsform"),
    path("f/<slug:slug>/v/<int:number>/consultation/", views_consultation.consultation, name="consultation"),
    path("f/<slug:slug>/v/<int:number>/consultation/open/", views_consultation.open_, name="consultation_open"),
    path("f/<slug:slug>/v/<int:number>/consultation/close/", views_consultation.close, name="consultation_close"),
    path("f/<slug:slug>/v/<int:number>/consultation/comment/", views_consultation.comment, name="consultation_comment"),
    path("f/<slug:slug>/v/<int:number>/consultation/views/", views_consultation.give_views, name="consultation_views"),
]
