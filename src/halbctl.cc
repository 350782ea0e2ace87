// halbctl.cc: control client (placeholder).
int main() { return 0; }
