"""What every feature's views share: one commit, form answers, year arguments, paging, the legal book."""
