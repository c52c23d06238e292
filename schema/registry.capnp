@0xa985cc3c5f6995da;
# placeholder
