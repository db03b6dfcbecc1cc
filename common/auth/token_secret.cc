#include "common/auth/token_secret.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace crm::auth {

std::string NewTokenSecret() {
  std::array<unsigned char, 32> random;
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("no random bytes for an access token");
  }
  return absl::StrCat("crm_", absl::WebSafeBase64Escape(absl::string_view(
                                   reinterpret_cast<const char*>(random.data()), random.size())));
}

std::string TokenSecretHash(absl::string_view secret) {
  // Fetched once: OpenSSL 3's one-shot SHA256() looks the algorithm up again on every call, and
  // every call the server takes hashes its token. Each thread keeps its digest context, which a
  // new digest of the same algorithm reuses instead of allocating another.
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int length = 0;
  if (sha256 == nullptr || context == nullptr || EVP_DigestInit_ex2(context.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), secret.data(), secret.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &length) != 1 || length != sizeof(digest)) {
    throw std::runtime_error("SHA-256 unavailable for hashing an access token");
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace crm::auth
