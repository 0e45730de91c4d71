import pytest

from onewindow.catalog.models import ServiceItemVersion
from onewindow.testing.factories import create_item


@pytest.mark.django_db
def test_publish_creates_first_version():
    item = create_item()
    assert item.version == 1
    assert ServiceItemVersion.objects.filter(item=item).count() == 1
