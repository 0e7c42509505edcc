/* placeholder: written by the bench work */
int main(void) { return 0; }
