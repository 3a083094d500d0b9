void imgvec_kernel_portable(void){} void imgvec_kernel_avx2(void){} void imgvec_kernel_avx512(void){}
