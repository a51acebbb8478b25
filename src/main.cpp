#include <cstdio>
int main() { std::puts(PIPE_VERSION); return 0; }
