#include "clients/gateway/customfield_client.h"

namespace crm::client {

#define CRM_CUSTOMFIELD_CLIENT_LIST_ALL(Element, Plural, field)                                    \
  StreamRange<v1::Element> CustomFieldClient::ListAll##Plural(v1::List##Plural##Request request) { \
    std::shared_ptr<CustomFieldConnection> connection = connection_;                               \
    return MakePaginationRange<v1::Element, v1::List##Plural##Request,                             \
                               v1::List##Plural##Response>(                                        \
        std::move(request),                                                                        \
        [connection](const v1::List##Plural##Request& r) { return connection->List##Plural(r); },  \
        [](v1::List##Plural##Response& page) { return TakeAll(*page.mutable_##field()); },         \
        NextPageToken<v1::List##Plural##Request, v1::List##Plural##Response>);                     \
  }
CRM_CUSTOMFIELD_PAGED_LISTS(CRM_CUSTOMFIELD_CLIENT_LIST_ALL)
#undef CRM_CUSTOMFIELD_CLIENT_LIST_ALL

}  // namespace crm::client
