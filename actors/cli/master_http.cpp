// Placeholder: fetching JSON from a master over HTTP.
