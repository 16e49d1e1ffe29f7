// Does nothing: its run time is the sandbox's execution start (and stop) latency.
int main(void) { return 0; }
