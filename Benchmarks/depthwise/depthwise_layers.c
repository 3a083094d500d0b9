#include "CKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  int isa=argc>1?atoi(argv[1]):3, kind=argc>2?atoi(argv[2]):0;
  int L[][4]={{16,112,3,1},{64,112,3,2},{72,56,3,1},{72,56,5,2},{120,28,5,1},{240,28,3,2},{200,14,3,1},{184,14,3,1},{480,14,3,1},{672,14,3,1},{672,14,5,2},{960,7,5,1},
              {32,112,3,1},{96,112,3,2},{144,56,3,1},{144,56,5,2},{240,28,5,1},{480,14,5,1},{672,14,5,1},{1152,7,5,1},{1152,7,3,1}};
  int n=sizeof L/sizeof L[0]; double tp=0,tb=0;
  for(int i=0;i<n;i++){int c=L[i][0],hw=L[i][1],k=L[i][2],st=L[i][3],p=k/2; long o=(hw+2*p-k)/st+1;
    imgvec_depthwise_shape s={hw,hw,o,o,k,k,st,st,1,1,p,p};
    float*x=aligned_alloc(64,4L*c*hw*hw+64),*wt=malloc(4L*c*k*k),*bi=calloc(c,4),*y=aligned_alloc(64,4L*c*o*o+64);
    for(long j=0;j<(long)c*hw*hw;j++)x[j]=j%7*0.1f; for(int j=0;j<c*k*k;j++)wt[j]=0.01f*j;
    long sf=imgvec_depthwise_run_scratch_floats(&s); float*scr=aligned_alloc(64,((sf*4+63)/64)*64);
    imgvec_depthwise_activation act={kind,1,0};
    double bp=1e9,bb=1e9;
    for(int r=0;r<60;r++){double t=now(); imgvec_depthwise_planes(isa,&s,c,0,c,x,wt,bi,0,0,0,y,scr); t=now()-t; if(t<bp)bp=t;
      t=now(); imgvec_depthwise_run(isa,&s,c,0,c,0,o,x,wt,bi,&act,y,scr); t=now()-t; if(t<bb)bb=t;}
    printf("c%4d %3dx%-3d k%d s%d: per-plane %.3f ms  new %.3f ms  %.2fx\n",c,hw,hw,k,st,bp*1e3,bb*1e3,bp/bb); tp+=bp; tb+=bb;
    free(x);free(wt);free(bi);free(y);free(scr);}
  printf("total: per-plane %.3f ms new %.3f ms %.2fx\n",tp*1e3,tb*1e3,tp/tb);
}
