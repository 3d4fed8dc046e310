"""Each new customer and each feedback wrote an index that nothing reads: the LIKE index `unique=True`
adds on PostgreSQL, and `feedback.customer_id` alone, which (customer_id, received_at DESC) covers."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0005_contact_trust_and_data_subject_requests"),
    ]

    operations = [
        # First, so the table is never without a unique index on external_id.
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(fields=("external_id",), name="customer_external_id_unique"),
        ),
        migrations.AlterField(
            model_name="customer",
            name="external_id",
            field=models.CharField(max_length=128),
        ),
        migrations.AlterField(
            model_name="feedback",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="feedback",
                to="feedback.customer",
            ),
        ),
    ]
