// glibc's stub resolver (libc6-dev ships it): the DNS namer's queries and
// the parsing of their answers, so Switchyard writes no DNS message parser.
// resolv.h spells its functions as macros; these wrappers give Swift names.
#include <stdlib.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <resolv.h>

static inline res_state sy_res_new(void) { return calloc(1, sizeof(struct __res_state)); }
static inline void sy_res_free(res_state state) { res_nclose(state); free(state); }
static inline int sy_res_init(res_state state) { return res_ninit(state); }
static inline int sy_res_mkquery(res_state state, const char *name, int class_, int type, unsigned char *buffer, int length) {
    return res_nmkquery(state, QUERY, name, class_, type, NULL, 0, NULL, buffer, length);
}
static inline void sy_res_tries(res_state state, int retry, int retrans) {
    state->retry = retry;
    state->retrans = retrans;
}
static inline int sy_res_query(res_state state, const char *name, int class_, int type, unsigned char *answer, int length) {
    return res_nquery(state, name, class_, type, answer, length);
}
static inline int sy_res_h_errno(res_state state) { return state->res_h_errno; }
static inline int sy_dn_expand(const unsigned char *message, const unsigned char *end, const unsigned char *source,
                               char *destination, int length) {
    return dn_expand(message, end, source, destination, length);
}
static inline int sy_answer_count(const ns_msg *message) { return ns_msg_count(*message, ns_s_an); }
