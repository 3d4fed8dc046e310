"""Automatic gestures: rules kept by managers that grant a gesture when a new case's feedback meets
them, within a monthly budget and a per-customer cap (issue 29)."""
