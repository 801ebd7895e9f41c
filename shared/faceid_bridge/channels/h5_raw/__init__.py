"""H5 Raw (002, notes §5): the customer's page uploads a selfie (validate_still), then raw/verify."""
