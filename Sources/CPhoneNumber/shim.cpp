#include "cphonenumber.h"
#include <phonenumbers/phonenumberutil.h>

extern "C" int cpn_version(void) {
    return i18n::phonenumbers::PhoneNumberUtil::GetInstance() != nullptr ? 1 : 0;
}
