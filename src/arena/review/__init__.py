"""Expert review (专家评审): panel, draw, scoring sheets and frozen results."""
