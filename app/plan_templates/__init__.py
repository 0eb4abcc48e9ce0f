"""The life of a plan template: revisions, publishing, proposals to wards, and differences."""
