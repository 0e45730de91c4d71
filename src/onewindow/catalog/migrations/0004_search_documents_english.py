"""Search documents built before English names were indexed get them: the stemmed words of
the item's English name after its name terms, the department's English name after the body
(what ``catalog.search._document_fields`` now stores). ``manage.py rebuild_search`` gives the
same result; this spares existing databases the step."""

from django.db import migrations

BATCH = 500


def add_english_terms(apps, schema_editor):
    from onewindow.catalog.search import english_terms

    SearchDocument = apps.get_model("catalog", "SearchDocument")
    documents = SearchDocument.objects.select_related("item__department").order_by("pk")
    changed = []
    for document in documents.iterator(chunk_size=BATCH):
        item = document.item
        name = document.name_terms.split()
        extra = [term for term in english_terms(item.name_en) if term not in name]
        body = english_terms(item.department.name_en)
        if not extra and not body:
            continue
        document.name_terms = " ".join([*name, *dict.fromkeys(extra)])
        document.body_terms = " ".join([*document.body_terms.split(), *body])
        changed.append(document)
        if len(changed) >= BATCH:
            SearchDocument.objects.bulk_update(changed, ["name_terms", "body_terms"])
            changed = []
    if changed:
        SearchDocument.objects.bulk_update(changed, ["name_terms", "body_terms"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_process_step_role_choices"),
    ]

    operations = [
        migrations.RunPython(add_english_terms, migrations.RunPython.noop, elidable=True),
    ]
