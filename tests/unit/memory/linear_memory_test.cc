#include "engine/memory/linear_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "engine/memory/page_allocator.h"

namespace vivarium::detail {
namespace {

// Wraps the system allocator, records every call, and can refuse
// reservations above a size (like `ulimit -v`).
class RecordingAllocator : public PageAllocator {
 public:
  void* reserve(uint64_t bytes) override {
    reserves.push_back(bytes);
    if (bytes > refuse_above) return nullptr;
    return system_page_allocator().reserve(bytes);
  }
  bool commit(void* p, uint64_t bytes) override {
    commits.push_back(bytes);
    if (fail_commits) return false;
    return system_page_allocator().commit(p, bytes);
  }
  void decommit(void* p, uint64_t bytes) override {
    decommits.push_back(bytes);
    system_page_allocator().decommit(p, bytes);
  }
  void zero(void* p, uint64_t bytes) override { system_page_allocator().zero(p, bytes); }
  void release(void* p, uint64_t bytes, uint64_t committed) override {
    releases.push_back(bytes);
    released_committed.push_back(committed);
    system_page_allocator().release(p, bytes, committed);
  }
  std::vector<uint64_t> reserves, commits, decommits, releases, released_committed;
  uint64_t refuse_above = ~uint64_t{0};
  bool fail_commits = false;
};

class LinearMemory : public ::testing::Test {
 protected:
  void SetUp() override { set_page_allocator(&alloc_); }
  void TearDown() override { set_page_allocator(nullptr); }
  RecordingAllocator alloc_;
};

MemoryType mem(uint32_t min) { return MemoryType{Limits{min, false, 0}}; }
MemoryType mem(uint32_t min, uint32_t max) { return MemoryType{Limits{min, true, max}}; }

TEST_F(LinearMemory, UnboundedMemoryReservesEightGiB) {
  auto m = create_memory(mem(1), kMaxWasmPages);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ((*m)->reserved, uint64_t{8} << 30);
  EXPECT_EQ(alloc_.reserves, std::vector<uint64_t>{uint64_t{8} << 30});
  EXPECT_EQ((*m)->pages, 1u);
  EXPECT_EQ((*m)->size, kWasmPageSize);
  EXPECT_EQ((*m)->max_pages, kMaxWasmPages);
}

TEST_F(LinearMemory, BoundedMemoryReservesItsMaxPlusGuard) {
  auto m = create_memory(mem(1, 16), kMaxWasmPages);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->reserved, 16 * kWasmPageSize + kSmallGuard);
  // The store limit caps the effective maximum (and the reservation).
  auto n = create_memory(mem(1), 8);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->max_pages, 8u);
  EXPECT_EQ((*n)->reserved, 8 * kWasmPageSize + kSmallGuard);
}

TEST_F(LinearMemory, GrowCommitsWithoutMovingAndKeepsContents) {
  auto r = create_memory(mem(1, 10), kMaxWasmPages);
  ASSERT_TRUE(r.ok());
  MemoryInst& m = **r;
  uint8_t* base = m.base;
  std::memset(m.base, 0xab, m.size);
  EXPECT_EQ(m.grow(2), 1);
  EXPECT_EQ(m.base, base);
  EXPECT_EQ(m.pages, 3u);
  EXPECT_EQ(m.size, 3 * kWasmPageSize);
  EXPECT_EQ(m.base[kWasmPageSize - 1], 0xab);
  EXPECT_EQ(m.base[kWasmPageSize], 0);  // new pages read as zero
  m.base[3 * kWasmPageSize - 1] = 7;    // and are writable
  EXPECT_EQ(alloc_.commits.back(), 2 * kWasmPageSize);
}

TEST_F(LinearMemory, GrowPastTheMaximumFailsAndChangesNothing) {
  auto r = create_memory(mem(1, 3), kMaxWasmPages);
  ASSERT_TRUE(r.ok());
  MemoryInst& m = **r;
  EXPECT_EQ(m.grow(3), -1);
  EXPECT_EQ(m.pages, 1u);
  EXPECT_EQ(m.grow(2), 1);
  EXPECT_EQ(m.grow(1), -1);
  EXPECT_EQ(m.grow(0), 3);
  EXPECT_EQ(m.grow(UINT32_MAX), -1);  // no overflow in pages + delta
}

TEST_F(LinearMemory, StoreLimitCapsGrowth) {
  auto r = create_memory(mem(1), 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->grow(1), 1);
  EXPECT_EQ((*r)->grow(1), -1);
}

TEST_F(LinearMemory, FailedCommitMeansFailedGrow) {
  auto r = create_memory(mem(1), kMaxWasmPages);
  ASSERT_TRUE(r.ok());
  alloc_.fail_commits = true;
  EXPECT_EQ((*r)->grow(1), -1);
  EXPECT_EQ((*r)->pages, 1u);
}

TEST_F(LinearMemory, ZeroPageMemories) {
  auto r = create_memory(mem(0, 0), kMaxWasmPages);
  ASSERT_TRUE(r.ok());
  MemoryInst& m = **r;
  EXPECT_NE(m.base, nullptr);
  EXPECT_EQ(m.size, 0u);
  EXPECT_EQ(m.grow(0), 0);
  EXPECT_EQ(m.grow(1), -1);
  EXPECT_TRUE(alloc_.commits.empty());

  auto g = create_memory(mem(0), kMaxWasmPages);  // zero now, may grow
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->grow(1), 0);
  (*g)->base[0] = 1;
}

TEST_F(LinearMemory, DestructorReleasesTheWholeReservation) {
  {
    auto r = create_memory(mem(2, 4), kMaxWasmPages);
    ASSERT_TRUE(r.ok());
  }
  ASSERT_EQ(alloc_.releases.size(), 1u);
  EXPECT_EQ(alloc_.releases[0], 4 * kWasmPageSize + kSmallGuard);
  EXPECT_EQ(alloc_.released_committed[0], 2 * kWasmPageSize);
}

TEST_F(LinearMemory, FallsBackWhenAddressSpaceIsScarce) {
  alloc_.refuse_above = uint64_t{5} << 30;
  auto r = create_memory(mem(1), kMaxWasmPages);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(alloc_.reserves.size(), 2u);
  EXPECT_EQ((*r)->reserved, uint64_t{kMaxWasmPages} * kWasmPageSize + kSmallGuard);
}

TEST_F(LinearMemory, RefusedReservationIsALimitError) {
  alloc_.refuse_above = 0;
  auto r = create_memory(mem(1), kMaxWasmPages);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
}

TEST_F(LinearMemory, MinimumAboveTheStoreLimit) {
  auto r = create_memory(mem(10), 5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(r.error().message().find("StoreLimits::max_memory_pages"), std::string::npos);
  EXPECT_TRUE(alloc_.reserves.empty());  // checked before touching the OS
}

TEST(PageAllocator, DecommitZeroesAndCommitRestores) {
  PageAllocator& pa = system_page_allocator();
  uint64_t len = 4 * os_page_size();
  auto* p = static_cast<uint8_t*>(pa.reserve(len));
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(pa.commit(p, len));
  p[0] = 42;
  p[len - 1] = 43;
  pa.decommit(p, len);
  ASSERT_TRUE(pa.commit(p, len));
  EXPECT_EQ(p[0], 0);
  EXPECT_EQ(p[len - 1], 0);
  pa.release(p, len, len);
}

TEST(PoolingPageAllocator, RecyclesCleanReservationsUpToItsCapacity) {
  RecordingAllocator base;
  {
    PoolingPageAllocator pool(base, 1);
    uint64_t len = 16 * os_page_size();
    auto* a = static_cast<uint8_t*>(pool.reserve(len));
    auto* b = static_cast<uint8_t*>(pool.reserve(len));
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(pool.commit(a, os_page_size()));
    a[5] = 9;
    pool.release(a, len, os_page_size());
    pool.release(b, len, 0);  // over capacity: really released
    EXPECT_EQ(pool.pooled(), 1u);
    EXPECT_EQ(base.releases.size(), 1u);
    // Same size: the pooled reservation comes back, zeroed once recommitted.
    auto* c = static_cast<uint8_t*>(pool.reserve(len));
    EXPECT_EQ(c, a);
    EXPECT_EQ(base.reserves.size(), 2u);
    ASSERT_TRUE(pool.commit(c, os_page_size()));
    EXPECT_EQ(c[5], 0);
    // Another size is not served from the pool.
    pool.release(c, len, os_page_size());
    void* d = pool.reserve(2 * len);
    EXPECT_NE(d, c);
    pool.release(d, 2 * len, 0);
  }
  // Destroying the pool releases what it kept.
  EXPECT_EQ(base.releases.size(), 3u);
}

// The per-request case: the same memory size again and again. The pooled
// reservation comes back already accessible and zeroed; no protection change.
TEST(PoolingPageAllocator, SameSizeReuseChangesNoProtection) {
  RecordingAllocator base;
  PoolingPageAllocator pool(base, 4);
  uint64_t len = 16 * os_page_size(), page = os_page_size();
  auto* a = static_cast<uint8_t*>(pool.reserve_committed(len, 2 * page));
  ASSERT_NE(a, nullptr);
  a[0] = 1;
  a[2 * page - 1] = 2;
  pool.release(a, len, 2 * page);
  size_t commits = base.commits.size(), decommits = base.decommits.size();
  auto* b = static_cast<uint8_t*>(pool.reserve_committed(len, 2 * page));
  EXPECT_EQ(b, a);
  EXPECT_EQ(base.commits.size(), commits);
  EXPECT_EQ(base.decommits.size(), decommits);
  EXPECT_EQ(b[0], 0);
  EXPECT_EQ(b[2 * page - 1], 0);
  b[page] = 3;  // still writable
  // Smaller: the surplus is made inaccessible again.
  pool.release(b, len, 2 * page);
  auto* c = static_cast<uint8_t*>(pool.reserve_committed(len, page));
  EXPECT_EQ(c, a);
  ASSERT_EQ(base.decommits.size(), decommits + 1);
  EXPECT_EQ(base.decommits.back(), page);
  // Larger: the missing part is committed.
  pool.release(c, len, page);
  auto* d = static_cast<uint8_t*>(pool.reserve_committed(len, 3 * page));
  EXPECT_EQ(d, a);
  EXPECT_EQ(base.commits.back(), 2 * page);
  EXPECT_EQ(d[3 * page - 1], 0);
  pool.release(d, len, 3 * page);
}

}  // namespace
}  // namespace vivarium::detail
