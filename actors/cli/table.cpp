// Placeholder: aligned tables.
