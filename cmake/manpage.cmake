# Puts the KEYS section (assets/concmon-keys.roff, see manpage_keys.cmake)
# into the man page. Runs nothing it builds. -DIN= -DSECTION= -DOUT=.
cmake_policy(SET CMP0053 NEW)
file(READ ${SECTION} roff)
file(READ ${IN} page)
string(REPLACE "@KEYS@\n" "${roff}" page "${page}")
file(WRITE ${OUT} "${page}")
