#include "clients/gateway/admin_client.h"

namespace crm::client {

#define CRM_ADMIN_CLIENT_LIST_ALL(Element, Plural, field)                                         \
  StreamRange<v1::Element> AdminClient::ListAll##Plural(v1::List##Plural##Request request) {      \
    std::shared_ptr<AdminConnection> connection = connection_;                                    \
    return MakePaginationRange<v1::Element, v1::List##Plural##Request,                            \
                               v1::List##Plural##Response>(                                       \
        std::move(request),                                                                       \
        [connection](const v1::List##Plural##Request& r) { return connection->List##Plural(r); }, \
        [](v1::List##Plural##Response& page) { return TakeAll(*page.mutable_##field()); },        \
        NextPageToken<v1::List##Plural##Request, v1::List##Plural##Response>);                    \
  }
CRM_ADMIN_PAGED_LISTS(CRM_ADMIN_CLIENT_LIST_ALL)
#undef CRM_ADMIN_CLIENT_LIST_ALL

}  // namespace crm::client
