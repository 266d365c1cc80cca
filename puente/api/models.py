# The API has no models of its own: tokens live in accounts (they belong to a user and organization).
