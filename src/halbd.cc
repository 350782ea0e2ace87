// halbd.cc: entry point (placeholder until the daemon is wired).
int main() { return 0; }
