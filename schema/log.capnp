@0xef9cf789dfce9873;
# placeholder
