// Tests of this target arrive with its issue.
