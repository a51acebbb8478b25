/* payments-api: the example service pipe builds. A static binary, so the image can be FROM
   scratch and the build needs no base image from the network. */
#include <stdio.h>

int main(void) {
    puts("{\"service\":\"payments-api\",\"status\":\"ok\"}");
    return 0;
}
