#ifndef CPHONENUMBER_H
#define CPHONENUMBER_H
#ifdef __cplusplus
extern "C" {
#endif
/* Plain C API over libphonenumber (placeholder; see the normalisation issue). */
int cpn_version(void);
#ifdef __cplusplus
}
#endif
#endif
