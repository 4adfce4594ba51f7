// Branch-heavy code: a bytecode-dispatch loop (a switch over opcodes of a
// small register VM, the shape of every embedded scripting engine). The VM
// program sums Collatz chain lengths and counts primes by trial division;
// checked against the same computations written directly in C. Scale:
// repetitions.
#include "bench.h"

enum { OP_LI, OP_MOV, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_REM, OP_AND, OP_SHR, OP_INC,
       OP_JMP, OP_JZ, OP_JNZ, OP_JLT, OP_JEQ, OP_HALT };

typedef struct { uint8_t op, a, b, c; int32_t imm; } insn;

static int64_t run(const insn* code, int64_t* r) {
  const insn* pc = code;
  for (;;) {
    const insn* i = pc++;
    switch (i->op) {
      case OP_LI: r[i->a] = i->imm; break;
      case OP_MOV: r[i->a] = r[i->b]; break;
      case OP_ADD: r[i->a] = r[i->b] + r[i->c]; break;
      case OP_SUB: r[i->a] = r[i->b] - r[i->c]; break;
      case OP_MUL: r[i->a] = r[i->b] * r[i->c]; break;
      case OP_DIV: r[i->a] = r[i->b] / r[i->c]; break;
      case OP_REM: r[i->a] = r[i->b] % r[i->c]; break;
      case OP_AND: r[i->a] = r[i->b] & r[i->c]; break;
      case OP_SHR: r[i->a] = r[i->b] >> i->imm; break;
      case OP_INC: r[i->a] += i->imm; break;
      case OP_JMP: pc = code + i->imm; break;
      case OP_JZ: if (r[i->a] == 0) pc = code + i->imm; break;
      case OP_JNZ: if (r[i->a] != 0) pc = code + i->imm; break;
      case OP_JLT: if (r[i->a] < r[i->b]) pc = code + i->imm; break;
      case OP_JEQ: if (r[i->a] == r[i->b]) pc = code + i->imm; break;
      case OP_HALT: return r[0];
      default: return -1;
    }
  }
}

// r1 = limit. Returns sum over n in [1, limit) of collatz steps(n).
static const insn collatz[] = {
    /*0*/ {OP_LI, 0, 0, 0, 0},      // r0 = total
    /*1*/ {OP_LI, 2, 0, 0, 1},      // r2 = n
    /*2*/ {OP_LI, 5, 0, 0, 1},      // r5 = 1
    /*3*/ {OP_LI, 6, 0, 0, 3},      // r6 = 3
    /*4*/ {OP_JLT, 2, 1, 0, 6},     // loop: if n < limit goto body
    /*5*/ {OP_HALT, 0, 0, 0, 0},
    /*6*/ {OP_MOV, 3, 2, 0, 0},     // body: x = n
    /*7*/ {OP_JEQ, 3, 5, 0, 16},    // inner: if x == 1 goto next
    /*8*/ {OP_AND, 4, 3, 5, 0},     // r4 = x & 1
    /*9*/ {OP_JNZ, 4, 0, 0, 12},
    /*10*/ {OP_SHR, 3, 3, 0, 1},    // x >>= 1
    /*11*/ {OP_JMP, 0, 0, 0, 14},
    /*12*/ {OP_MUL, 3, 3, 6, 0},    // x = 3x + 1
    /*13*/ {OP_INC, 3, 0, 0, 1},
    /*14*/ {OP_INC, 0, 0, 0, 1},    // total++
    /*15*/ {OP_JMP, 0, 0, 0, 7},    // goto inner
    /*16*/ {OP_INC, 2, 0, 0, 1},    // next: n++
    /*17*/ {OP_JMP, 0, 0, 0, 4},
};

// r1 = limit. Returns the number of primes below limit (trial division).
static const insn primes[] = {
    /*0*/ {OP_LI, 0, 0, 0, 0},      // count
    /*1*/ {OP_LI, 2, 0, 0, 2},      // n = 2
    /*2*/ {OP_JLT, 2, 1, 0, 4},
    /*3*/ {OP_HALT, 0, 0, 0, 0},
    /*4*/ {OP_LI, 3, 0, 0, 2},      // d = 2
    /*5*/ {OP_MUL, 4, 3, 3, 0},     // r4 = d*d
    /*6*/ {OP_JLT, 2, 4, 0, 12},    // if n < d*d: prime
    /*7*/ {OP_REM, 4, 2, 3, 0},     // r4 = n % d
    /*8*/ {OP_JZ, 4, 0, 0, 13},     // divisible: not prime
    /*9*/ {OP_INC, 3, 0, 0, 1},
    /*10*/ {OP_JMP, 0, 0, 0, 5},
    /*11*/ {OP_HALT, 0, 0, 0, 0},
    /*12*/ {OP_INC, 0, 0, 0, 1},
    /*13*/ {OP_INC, 2, 0, 0, 1},
    /*14*/ {OP_JMP, 0, 0, 0, 2},
};

static int64_t collatz_c(int64_t limit) {
  int64_t total = 0;
  for (int64_t n = 1; n < limit; n++)
    for (int64_t x = n; x != 1; total++) x = (x & 1) ? 3 * x + 1 : x >> 1;
  return total;
}

static int64_t primes_c(int64_t limit) {
  int64_t count = 0;
  for (int64_t n = 2; n < limit; n++) {
    int p = 1;
    for (int64_t d = 2; d * d <= n; d++)
      if (n % d == 0) { p = 0; break; }
    count += p;
  }
  return count;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 2);
  int64_t acc = 0;
  for (long r = 0; r < reps; r++) {
    int64_t regs[8] = {0};
    int64_t limit = 50000 + r;
    regs[1] = limit;
    int64_t got = run(collatz, regs);
    int64_t want = collatz_c(limit);
    BENCH_CHECK(got == want, "collatz vm %lld vs c %lld", (long long)got, (long long)want);
    int64_t regs2[8] = {0};
    regs2[1] = 60000;
    int64_t p = run(primes, regs2);
    BENCH_CHECK(p == 6057 && p == primes_c(60000), "primes vm %lld", (long long)p);
    acc += got + p;
  }
  printf("vm: reps=%ld checksum=%lld\n", reps, (long long)acc);
  return 0;
}
