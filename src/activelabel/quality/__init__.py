"""Quality review: agreement, gold items, overlap, adjudication and the QA report."""
