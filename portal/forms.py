class AccessibleErrorsMixin:
    """Ties each field's error message to its control with aria-describedby.

    Templates render a field's errors in an element with the id ``<auto_id>_error``.
    """

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"
